"""Small helpers every provider needs the same way (issue 14's shared toolkit):
each is written once here, and no module in this package names a cloud."""
