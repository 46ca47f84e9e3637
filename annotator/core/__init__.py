"""Qt-free domain objects and algorithms shared by the CLI, the window and the tests."""
