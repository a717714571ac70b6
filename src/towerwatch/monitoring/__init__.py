"""Remote monitoring: devices, points, ingestion (GB/T 26875.3, MQTT, HTTP), events and alarms."""
