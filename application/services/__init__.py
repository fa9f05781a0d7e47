"""Commands and queries: one service per area, each given its collaborators."""
