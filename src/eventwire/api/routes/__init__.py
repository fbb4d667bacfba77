"""The routers: one module per resource of the JSON API, and ``web`` for the HTML pages."""
