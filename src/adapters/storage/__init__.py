"""Document storage: encrypted files in a local folder (object storage may join later)."""

from adapters.storage.folder import LocalFolderDocumentStore

__all__ = ["LocalFolderDocumentStore"]
