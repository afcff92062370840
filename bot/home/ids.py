"""The Home tab's action ids and limits, shared by its views and its listeners."""

MAX_BLOCKS = 100  # Slack's limit for a Home tab and for a modal

HOME_REFRESH = "home_refresh"
HOME_PREVIOUS, HOME_NEXT = "home_page_previous", "home_page_next"
HOME_ANSWER, HOME_HYPOTHESIS, HOME_DIGEST = "home_answer", "home_hypothesis", "home_digest"
HOME_WRITE, HOME_PICK_CHANNEL = "home_write", "home_pick_channel"
PAGE_ACTIONS = (HOME_REFRESH, HOME_PREVIOUS, HOME_NEXT)
