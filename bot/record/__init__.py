"""The record: a project's hypotheses, reviews, answers, decisions and metric values.

Exported as files, served by the read API, and forgotten on request or after an uninstall.
"""
