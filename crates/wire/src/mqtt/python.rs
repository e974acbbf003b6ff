//! The MQTT session as paho-mqtt Python (being built).
