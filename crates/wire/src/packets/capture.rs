//! (issue 14, helper A: .pcap/.pcapng reading, layers, follow TCP stream)
