"""Qt item models: thin adapters that read the project, holding no data of their own."""
