"""The programme: themes, blocks, rooms, activities, speakers; data file, pages, admin screens."""
