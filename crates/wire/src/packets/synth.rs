//! (issue 14, helper C: sessions written as captures with synthesized TCP/IP headers)
