"""The OpenLDAP ("ldap") and Active Directory ("ad") back-ends, on one shared LDAP back-end.

connection   python-ldap, servers (TLS, failover, timeouts), pools, running an operation
             as the service account or as the person
entries      search results, escaping values into filters, times, password rules
backend      LdapDirectory: finding people, profiles, and the sign-in and own-change flows
             both servers share (template methods the two back-ends fill in)
diagnostics  `sspr check` and /readyz
messages     what people are told when the directory refuses a password
openldap     OpenLdapDirectory: ppolicy, Password Modify
ad           ActiveDirectory: unicodePwd, AD's sub-codes, password settings objects
settings     LdapSettings, the [directory] keys both read

Nothing here imports python-ldap except connection.py (the others take it from there), and this
package's __init__ and settings.py import nothing that needs it: the configuration schema imports
settings.py.
"""
