"""llama-sql: teach Llama 3.1 to write SQL with QLoRA, then score base and fine-tuned by running every query.

Notebooks in notebooks/ narrate; this package does the work. Start at README.md.
"""

__version__ = "0.1.0"
