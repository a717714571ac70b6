"""TowerWatch: fire-safety management platform for high-rise buildings."""
