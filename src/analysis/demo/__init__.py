"""Demo: the seeded synthetic cohort ``demo-2025`` (fictitious people), written as the raw exports a
survey team would receive (:mod:`~analysis.demo.synthetic`)."""
