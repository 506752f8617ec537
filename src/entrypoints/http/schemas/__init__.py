"""Request bodies (attrs classes decoded strictly) and response shapes (msgspec structs) per context."""
