"""The app's DM (its Messages tab): whoever writes to gatebot there is told what it can do."""
