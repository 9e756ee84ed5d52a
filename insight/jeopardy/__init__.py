"""Triple jeopardy: need, capacity and dependence combined, and the page's figures."""
