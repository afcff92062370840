"""The falsifiability check: does a statement name something data could prove wrong?"""
