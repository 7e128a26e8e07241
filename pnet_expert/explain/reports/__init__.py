"""Reports for teaching: views of a consultation or of the knowledge base, diagrams, templates."""
