// Placeholder source for a library that has no sources of its own yet.
