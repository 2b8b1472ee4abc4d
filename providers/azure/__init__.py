"""Azure provider: App Service apps (slots, auto-swap, routing rules) and Traffic Manager."""
