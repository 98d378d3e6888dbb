import streamlit as st

from core import imports
from ui import auth, import_views, writes

actor = auth.require_page("import")

st.title("Import and export")
writes.show_flash()
import_tab, export_tab = st.tabs(["Import a file", "Export a table"], key="import_tab", on_change="rerun")

if import_tab.open:
    with import_tab:
        entity = st.selectbox(
            "What the file holds",
            list(imports.ENTITIES),
            format_func=lambda name: imports.ENTITIES[name].label,
            key="import_entity",
        )
        import_views.fields_help(entity)
        if entity == "usage_events":
            import_views.key_feature_editor(actor)
        profile = import_views.profile_choice(entity)
        upload = st.file_uploader(
            "CSV (UTF-8) or Excel file", type=["csv", "txt", "xlsx"], key=f"import_file_{entity}"
        )
        if upload is not None:
            import_views.review_and_import(actor, entity, upload.name, upload.getvalue(), profile)

if export_tab.open:
    with export_tab:
        import_views.export_tables()
