"""The web apps: the relay API (members post signed ballots) and the observers' dashboard, served by uvicorn
with the limits of serving.py."""
