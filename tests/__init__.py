"""The test suite (a package: a dependency, linkpreview, installs a top-level `tests` of its own)."""
