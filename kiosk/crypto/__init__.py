"""The project's cryptography in one place: the encrypted envelope (`envelope`) and password and
secret hashing (`passwords`). The pure domain does none of it; callers pass it results."""
