"""The Qt desktop application. Only this package imports Qt; it calls the core for everything."""
