"""The rarekg web service: SPARQL 1.1 Protocol endpoint, Graph Store, query form, pages and
contributions. The app factory is ``service.app.create_app``."""
