"""Operators that move data between Aliyun OSS and Apache Doris.

Each operator lives in its own module and imports heavy libraries (boto3, pymysql) only when
it runs, so DAG files that import them stay cheap to parse.
"""
