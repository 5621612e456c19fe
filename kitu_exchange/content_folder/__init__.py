"""Import and export of the content folder format (see README, "Content folder")."""
from .exporter import export_folder
from .importer import ImportReport, import_folder

__all__ = ["ImportReport", "export_folder", "import_folder"]
