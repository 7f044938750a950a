"""Notifications inside the application: a counter in the header, a page that lists them."""
