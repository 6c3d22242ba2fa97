"""Sphinx configuration of the course website (``make site``, website/build.py stages the pages beside it).

MyST-NB reads the executed lessons (it runs nothing: website/build.py executed them); the Sphinx Book Theme
(Jupyter Book 1's theme) lays them out with the course map as navigation and Sphinx's full-text search. Every
asset is served with the site: nothing is loaded from a CDN (no require.js, no web fonts, no analytics).
"""
project = "vnetlab"
author = "vnetlab"
copyright = "vnetlab contributors"  # noqa: A001 - Sphinx's name
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# MyST: ``(c1)=`` targets for the concepts page; headings get anchors (lessons link to their sections)
myst_enable_extensions = ["colon_fence", "html_image"]
myst_heading_anchors = 3

# The lessons come executed: MyST-NB shows their outputs and runs nothing.
nb_execution_mode = "off"
# Plotly figures and widget stills are HTML the builder wrote; no require.js from a CDN (MyST-NB adds it for
# widget outputs only, and there are none left).
nb_render_markdown_format = "myst"

html_theme = "sphinx_book_theme"
html_title = "vnetlab: connect Azure virtual networks"
html_static_path = ["_static"]
templates_path = ["_templates"]  # website/templates: the theme's search button with an accessible name
html_css_files = ["vnetlab.css"]
html_js_files = ["plotly.min.js"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
# The theme's light/dark switch starts from the reader's system setting (without it, the page logs an error).
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
