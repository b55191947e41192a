"""Extraction: from document text to time expressions, places, quantities, actors,
attributions and claims. Pure functions over text; nothing here touches the store."""
