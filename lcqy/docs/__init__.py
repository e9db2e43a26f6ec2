"""Official documents: the .docx templates of the forms and letters, and filling them."""
