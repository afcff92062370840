"""gatebot: the rituals of cross-functional AI product teams, inside Slack."""
