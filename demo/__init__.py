"""The demo: ``manage.py seed_demo`` fills a fresh database with people, a board and articles in
every state, through the same domain functions the desk and the API call (``make run`` uses it).

It sits above every domain app because it drives all of them; nothing imports it.
"""
