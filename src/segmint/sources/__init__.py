"""Sources: reading customer data files into the engine."""
