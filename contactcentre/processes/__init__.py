"""The processes' composition roots: each module wires the adapters of one Procfile process.

Libraries never import from here; the web's root is contactcentre.app.create_app.
"""
