"""The OpenAPI document: views declare their shapes (declare.py) and build.py assembles them."""
