"""Files copied verbatim into every generated project (read as text by ttport.port.testgen, never imported)."""
