"""The built-in demo estate, served from the emulators by `relscan demo`."""
