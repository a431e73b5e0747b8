"""One module per delivery back-end; sspr.delivery.registry names them."""
