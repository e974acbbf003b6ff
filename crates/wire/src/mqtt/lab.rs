//! The IoT lab MQTT tab state (being built).
