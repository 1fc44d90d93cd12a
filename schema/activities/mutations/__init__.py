"""Activity mutations: recording activities, and pledging money to them."""
