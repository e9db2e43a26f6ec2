"""Excel ledger: streaming export (`writer.write_ledger`) and import (`reader.read_ledger`).

The export has a 汇总 sheet followed by one sheet per problem category in the order of the
measures; the reader accepts that export back as well as an office's own sheet whose headers are
the 登记表 labels in any order.
"""
