"""The organisers' own registration questions and the answers given to them."""
