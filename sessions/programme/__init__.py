"""The programme: themes, blocks, rooms, activities, speakers; loader, schema, public pages."""
