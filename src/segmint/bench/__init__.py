"""The benchmark harness: Segmint against hand-written SQL and pandas on the demo data set."""
