"""The public site: server-rendered pages that work without JavaScript."""
