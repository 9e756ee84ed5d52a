"""View-models: one plain, testable call per page (views/<page>.py renders what insight.pages.<page> composes)."""
