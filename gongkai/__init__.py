"""Gongkai (公开): supervision transparency and services for a market regulation bureau."""
