-- Statements from Doris's documentation examples (and DorisParser.g4 where it decides), each with
-- Doris's parse verdict on the newest release line (master grammar). Format: a header line
-- '-- case: <kind> | ok' or '-- case: <kind> | error <line>:<pos> <token>' then '-- source: ...'
-- and the statement. Error positions are where Doris's parser reports the syntax error.
-- '-- on <release>: <verdict>' gives a release's own verdict where it differs from the newest line's:
-- what its grammar lacks (Doris's release notes and branches) or its legacy parser adds (2.1).

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: load from S3
LOAD LABEL example_db.label1
(
    DATA INFILE("s3://your_bucket_name/your_file.txt")
    INTO TABLE load_test
    COLUMNS TERMINATED BY ","
)
WITH S3
(
    "provider" = "S3",
    "AWS_ENDPOINT" = "s3.us-west-2.amazonaws.com",
    "AWS_ACCESS_KEY" = "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_KEY" = "wJalrXUtnFEMIEXAMPLEKEY",
    "AWS_REGION" = "us-west-2",
    "compress_type" = "PLAIN"
)
PROPERTIES
(
    "timeout" = "3600"
);

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: OSS with s3.* properties
LOAD LABEL test_db.oss_label
(
    DATA INFILE("s3://bucket/path/data.csv")
    INTO TABLE orders
    COLUMNS TERMINATED BY ","
    FORMAT AS "csv"
    (order_id, customer, amount)
)
WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk")
PROPERTIES ("timeout" = "3600", "max_filter_ratio" = "0.1");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: two data descriptions, partition and column mapping
LOAD LABEL example_db.label2
(
    DATA INFILE("s3://bucket/input/file-10*")
    INTO TABLE `my_table1`
    PARTITION (p1)
    COLUMNS TERMINATED BY ","
    (k1, tmp_k2, tmp_k3)
    SET (
        k2 = tmp_k2 + 1,
        k3 = tmp_k3 + 1
    ),
    DATA INFILE("s3://bucket/input/file-20*")
    INTO TABLE `my_table2`
    COLUMNS TERMINATED BY ","
    (k1, k2, k3)
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: columns from path
LOAD LABEL example_db.label10
(
    DATA INFILE("s3://bucket/warehouse/table_name/dt=20221125/*")
    INTO TABLE `my_table`
    FORMAT AS "csv"
    (k1, k2, k3)
    COLUMNS FROM PATH AS (dt)
    SET (
        dt = str_to_date(dt, '%Y%m%d')
    )
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: preceding filter and where
LOAD LABEL example_db.label6
(
    DATA INFILE("s3://bucket/input/file")
    INTO TABLE `my_table`
    (k1, k2, k3)
    SET (
        k2 = k2 + 1
    )
    PRECEDING FILTER k1 = 1
    WHERE k1 > k2
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: merge with delete on
LOAD LABEL example_db.label_merge
(
    MERGE DATA INFILE("s3://bucket/input/file")
    INTO TABLE `my_table`
    COLUMNS TERMINATED BY "\t"
    (k1, k2, k3, v2, v1)
    DELETE ON v2 > 100
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s")
PROPERTIES ("timeout" = "3600", "max_filter_ratio" = "0.1");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: sequence column
LOAD LABEL example_db.label_seq
(
    DATA INFILE("s3://bucket/input/file")
    INTO TABLE `my_table`
    COLUMNS TERMINATED BY ","
    (k1, k2, source_sequence, v1, v2)
    ORDER BY source_sequence
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: JSON with jsonpaths
LOAD LABEL example_db.label_json
(
    DATA INFILE("s3://bucket/input/file.json")
    INTO TABLE `my_table`
    FORMAT AS "json"
    (id, city, code)
    PROPERTIES ("jsonpaths" = "[\"$.id\", \"$.city\", \"$.code\"]", "strip_outer_array" = "true")
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- on 3.0.3: error 5:4 TEMPORARY
-- source: Broker Load manual / BROKER LOAD reference: parquet into a temporary partition
LOAD LABEL example_db.label_tmp
(
    DATA INFILE("s3://bucket/input/file.parquet")
    INTO TABLE `my_table`
    TEMPORARY PARTITION (tp1, tp2)
    FORMAT AS "parquet"
    (k1, k2, k3)
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: compressed CSV with a line delimiter and a comment
LOAD LABEL example_db.label_gz
(
    DATA INFILE("s3://bucket/input/file.csv.gz")
    INTO TABLE my_table
    COLUMNS TERMINATED BY ","
    LINES TERMINATED BY "\n"
    FORMAT AS "csv"
    COMPRESS_TYPE AS "gz"
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s")
COMMENT "daily orders";

-- case: broker_load | ok
-- source: DorisParser.g4 partitionSpec: a partition without parentheses
LOAD LABEL example_db.label_p
(
    DATA INFILE("s3://bucket/input/file")
    INTO TABLE my_table
    PARTITION p1
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: DorisParser.g4 partitionSpec: PARTITIONS with a list
LOAD LABEL example_db.label_ps
(
    DATA INFILE("s3://bucket/input/file")
    INTO TABLE my_table
    PARTITIONS (p1, p2)
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: HDFS
LOAD LABEL example_db.label_hdfs
(
    DATA INFILE("hdfs://host:8020/user/data/file.csv")
    INTO TABLE my_table
    COLUMNS TERMINATED BY ","
)
WITH HDFS ("fs.defaultFS" = "hdfs://host:8020", "hadoop.username" = "user");

-- case: broker_load | ok
-- source: Broker Load manual / BROKER LOAD reference: through a broker
LOAD LABEL example_db.label_broker
(
    DATA INFILE("bos://bucket/input/file")
    INTO TABLE my_table
)
WITH BROKER "broker_name"
(
    "bos_endpoint" = "http://bj.bcebos.com",
    "bos_accesskey" = "xxxxxxxxxxxxxxxxxxxxxxxxxx",
    "bos_secret_accesskey" = "yyyyyyyyyyyyyyyyyyyyyyyyyy"
);

-- case: broker_load | error 5:13 k1
-- source: issue 18: two words where the WHERE expression ends
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE t
    WHERE k1 k1 <=> NULL
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 6:21 ,
-- source: issue 18: a function call with an empty first argument
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE t
    (k1, tmp)
    SET (k2 = substr(, 1, 3))
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 6:28 LABEL
-- source: issue 18: a CASE whose WHEN has no THEN
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE t
    (k1, c)
    SET (k2 = CASE c WHEN 1 LABEL 'a' END)
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 4:4 NEGATIVE
-- on 2.1.2: ok
-- on 3.0.1: ok
-- on 3.0.2: error 4:4 NEGATIVE
-- source: DorisParser.g4 mergeType has no NEGATIVE (the legacy 2.1 parser has)
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    NEGATIVE INTO TABLE t
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 6:9 )
-- source: empty WITH S3 ()
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE t
)
WITH S3 ();

-- case: broker_load | error 7:4 SET
-- source: a clause out of order: WHERE before SET
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE t
    (k1, tmp)
    WHERE k1 > 1
    SET (k2 = tmp)
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 1:5 LOAD
-- source: LOAD doubled
LOAD LOAD LABEL db.l1 (DATA INFILE("s3://b/f") INTO TABLE t)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 4:15 index
-- source: a reserved word as the table name
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE index
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: broker_load | error 4:17 .
-- source: a database-qualified table in INTO TABLE (targetTableName is an identifier)
LOAD LABEL db.l1
(
    DATA INFILE("s3://b/f")
    INTO TABLE db.t
)
WITH S3 ("s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s");

-- case: export | ok
-- source: EXPORT reference / export manual: to S3
EXPORT TABLE test TO "s3://bucket/a/b/c"
PROPERTIES (
    "columns" = "k1,k2"
)
WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | ok
-- source: EXPORT reference / export manual: partitions and a filter
EXPORT TABLE example_db.test PARTITION (p1, p2) WHERE k1 < 50 TO "s3://bucket/export/"
PROPERTIES (
    "format" = "parquet",
    "max_file_size" = "512MB"
)
WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | ok
-- source: EXPORT reference / export manual: csv with separators and a label
EXPORT TABLE test TO "s3://bucket/export/test_"
PROPERTIES (
    "label" = "export_label_1",
    "format" = "csv_with_names",
    "column_separator" = ",",
    "line_delimiter" = "\n",
    "parallelism" = "3",
    "delete_existing_files" = "true"
)
WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | ok
-- source: EXPORT reference / export manual: through a broker
EXPORT TABLE test TO "hdfs://host/path/to/export/"
PROPERTIES ("columns" = "k1,k2")
WITH BROKER "hdfs" ("username" = "user", "password" = "passwd");

-- case: export | ok
-- source: EXPORT reference / export manual: a filter with functions
EXPORT TABLE test WHERE k1 > 10 AND k2 IN ('a', 'b') AND date_trunc(dt, 'day') = '2024-01-01' TO "s3://bucket/export/"
WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | error 1:28 PARTITION
-- source: issue 18: WHERE before PARTITION
EXPORT TABLE t WHERE k1 = 1 PARTITION (p1) TO "s3://b/x/" WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | error 1:15 PARTITIONS
-- source: issue 18: PARTITIONS is not EXPORT's keyword
EXPORT TABLE t PARTITIONS (p1) TO "s3://b/x/" WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | error 1:42 )
-- source: issue 18: empty PROPERTIES ()
EXPORT TABLE t TO "s3://b/x/" PROPERTIES () WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | error 1:24 k1
-- source: issue 18: two words where the WHERE expression ends
EXPORT TABLE t WHERE k1 k1 <=> NULL TO "s3://b/x/" WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: export | error 1:162 PROPERTIES
-- source: WITH S3 before PROPERTIES
EXPORT TABLE t TO "s3://b/x/" WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk") PROPERTIES ("format" = "csv");

-- case: outfile | ok
-- source: SELECT INTO OUTFILE reference / export manual: CSV to S3
SELECT * FROM tbl1 LIMIT 10
INTO OUTFILE "s3://bucket/result_"
FORMAT AS CSV
PROPERTIES (
    "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk",
    "column_separator" = ",",
    "line_delimiter" = "\n",
    "max_file_size" = "100MB"
);

-- case: outfile | ok
-- source: SELECT INTO OUTFILE reference / export manual: parquet
SELECT c1, c2, c3 FROM tbl WHERE c1 > 10 ORDER BY c2 DESC
INTO OUTFILE "s3://bucket/result_"
FORMAT AS PARQUET
PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: outfile | ok
-- source: SELECT INTO OUTFILE reference / export manual: a WITH query with UNION
WITH x1 AS (SELECT k1, k2 FROM tbl1), x2 AS (SELECT k3 FROM tbl2)
SELECT k1 FROM x1 UNION SELECT k3 FROM x2
INTO OUTFILE "s3://bucket/result_"
PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk", "success_file_name" = "SUCCESS");

-- case: outfile | ok
-- source: SELECT INTO OUTFILE reference / export manual: grouped with aliases
SELECT k1, sum(v) AS total, count(DISTINCT k2) c FROM db.tbl t JOIN db.dim d ON t.k1 = d.k1 GROUP BY k1 HAVING sum(v) > 0
INTO OUTFILE "s3://bucket/agg_" FORMAT AS ORC PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: outfile | error 1:14 FROM
-- source: issue 18: FROM doubled
SELECT * FROM FROM t INTO OUTFILE "s3://b/r_" PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: outfile | error 1:10 ,
-- source: issue 18: an empty select item
SELECT a, , NULL FROM t INTO OUTFILE "s3://b/r_" PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: outfile | error 1:26 DESC
-- source: issue 18: ORDER BY without an expression
SELECT a FROM t ORDER BY  DESC INTO OUTFILE "s3://b/r_" PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: outfile | error 1:51 "csv"
-- source: a format given as a string
SELECT a FROM t INTO OUTFILE "s3://b/r_" FORMAT AS "csv" PROPERTIES ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: s3_tvf | ok
-- source: S3 table function reference: virtual-hosted URI
SELECT * FROM S3(
    "uri" = "http://bucket.oss-cn-beijing.aliyuncs.com/path/file.csv",
    "s3.access_key" = "ak",
    "s3.secret_key" = "sk",
    "format" = "csv",
    "use_path_style" = "false"
);

-- case: s3_tvf | ok
-- source: S3 table function reference: parquet with a filter
SELECT c1, c2 FROM s3(
    "uri" = "s3://bucket/path/file.parquet",
    "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk",
    "format" = "parquet"
) WHERE c1 > 10 ORDER BY c1 LIMIT 100;

-- case: s3_tvf | ok
-- source: S3 table function reference: INSERT INTO from S3
INSERT INTO test_table (id, name, age)
SELECT cast(id AS INT) AS id, name, cast(age AS INT) AS age
FROM s3("uri" = "s3://bucket/student.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: s3_tvf | ok
-- source: S3 table function reference: INSERT with a label and a partition
INSERT INTO db.test_table PARTITION (p1) WITH LABEL label_2024 SELECT * FROM s3("uri" = "s3://bucket/f.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: s3_tvf | ok
-- source: S3 table function reference: DESC FUNCTION
DESC FUNCTION s3("uri" = "s3://bucket/file.parquet", "format" = "parquet", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: s3_tvf | error 1:14 FROM
-- source: FROM doubled before the table function
SELECT * FROM FROM s3("uri" = "s3://b/f", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: s3_tvf | error 1:46 ,
-- source: a property without a value
SELECT * FROM s3("uri" = "s3://b/f", "format" , "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | ok
-- source: INSERT OVERWRITE reference: whole table
INSERT OVERWRITE TABLE test SELECT * FROM s3("uri" = "s3://bucket/f.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | ok
-- source: INSERT OVERWRITE reference: named partitions
INSERT OVERWRITE TABLE test PARTITION(p1, p2) SELECT * FROM s3("uri" = "s3://bucket/f.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | ok
-- on 2.1.2: error 1:38 *
-- source: INSERT OVERWRITE reference: auto-detected partitions
INSERT OVERWRITE TABLE test PARTITION(*) SELECT * FROM s3("uri" = "s3://bucket/f.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | ok
-- source: INSERT OVERWRITE reference: a label and columns
INSERT OVERWRITE TABLE test PARTITION(p1, p2) WITH LABEL `label3` (c1, c2) SELECT c1, c2 FROM s3("uri" = "s3://bucket/f.csv", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | error 1:39 =
-- source: issue 18: a partition given as a value (partitionSpec takes names)
INSERT OVERWRITE TABLE t PARTITION (dt = "2024-01-01") SELECT * FROM s3("uri" = "s3://b/f", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | error 1:17 t
-- source: OVERWRITE without TABLE
INSERT OVERWRITE t SELECT * FROM s3("uri" = "s3://b/f", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: insert_overwrite | error 1:25 "l1"
-- source: a label as a string
INSERT INTO t WITH LABEL "l1" SELECT * FROM s3("uri" = "s3://b/f", "format" = "csv", "s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", "s3.access_key" = "ak", "s3.secret_key" = "sk");

-- case: create_catalog | ok
-- source: CREATE CATALOG reference / lakehouse docs: Hive metastore
CREATE CATALOG hive PROPERTIES (
    'type' = 'hms',
    'hive.metastore.uris' = 'thrift://172.0.0.1:9083'
);

-- case: create_catalog | ok
-- source: CREATE CATALOG reference / lakehouse docs: Iceberg on OSS with a comment
CREATE CATALOG IF NOT EXISTS iceberg_oss COMMENT 'iceberg on oss' PROPERTIES (
    'type' = 'iceberg',
    'iceberg.catalog.type' = 'hadoop',
    'warehouse' = 's3://bucket/warehouse',
    's3.endpoint' = 'oss-cn-beijing.aliyuncs.com',
    's3.access_key' = 'ak',
    's3.secret_key' = 'sk',
    's3.region' = 'cn-beijing'
);

-- case: create_catalog | ok
-- source: CREATE CATALOG reference / lakehouse docs: JDBC
CREATE CATALOG jdbc_mysql PROPERTIES (
    "type" = "jdbc",
    "user" = "root",
    "password" = "123456",
    "jdbc_url" = "jdbc:mysql://127.0.0.1:3306/demo",
    "driver_url" = "mysql-connector-j-8.3.0.jar",
    "driver_class" = "com.mysql.cj.jdbc.Driver"
);

-- case: create_catalog | ok
-- source: CREATE CATALOG reference / lakehouse docs: from a resource
CREATE CATALOG hive_from_resource WITH RESOURCE hms_resource;

-- case: create_catalog | error 1:29 )
-- source: issue 18: empty PROPERTIES ()
CREATE CATALOG c PROPERTIES ();

-- case: create_catalog | error 1:45 COMMENT
-- source: COMMENT after PROPERTIES
CREATE CATALOG c PROPERTIES ('type' = 'hms') COMMENT 'x';

-- case: show_load | ok
-- source: SHOW LOAD reference: LIKE in WHERE with LIMIT
SHOW LOAD FROM example_db WHERE LABEL LIKE "2014_01_02" LIMIT 10;

-- case: show_load | ok
-- source: SHOW LOAD reference: label and ORDER BY
SHOW LOAD FROM example_db WHERE LABEL = "load_example_db_20140102" ORDER BY LoadStartTime DESC;

-- case: show_load | ok
-- source: SHOW LOAD reference: state
SHOW LOAD FROM example_db WHERE STATE = "loading";

-- case: show_load | ok
-- source: SHOW LOAD reference: ORDER BY and LIMIT offset, count
SHOW LOAD FROM example_db ORDER BY LoadStartTime DESC LIMIT 5, 10;

-- case: show_load | ok
-- source: DorisParser.g4 wildWhere: LIKE without WHERE
SHOW LOAD FROM db LIKE "l%";

-- case: show_load | ok
-- source: SHOW LOAD reference: warnings of a URL
SHOW LOAD WARNINGS ON "http://127.0.0.1:8040/api/_load_error_log?file=x";

-- case: show_load | error 1:5 SHOW
-- source: issue 18: SHOW doubled
SHOW SHOW LOAD;

-- case: show_load | error 1:27 ORDER
-- source: LIMIT before ORDER BY
SHOW LOAD FROM db LIMIT 10 ORDER BY CreateTime;

-- case: show_export | ok
-- source: SHOW EXPORT reference: by label
SHOW EXPORT FROM example_db WHERE LABEL LIKE "my_label%";

-- case: show_export | ok
-- source: SHOW EXPORT reference: state, order and limit
SHOW EXPORT FROM example_db WHERE STATE = "exporting" ORDER BY StartTime DESC LIMIT 10;

-- case: show_export | ok
-- source: SHOW EXPORT reference: by id
SHOW EXPORT WHERE ID = 10023;

-- case: show_export | error 1:25 ;
-- source: a WHERE without a condition
SHOW EXPORT FROM db WHERE;

-- case: cancel | ok
-- source: CANCEL LOAD / CANCEL EXPORT reference: load by label
CANCEL LOAD FROM example_db WHERE LABEL = "example_db_test_load_label";

-- case: cancel | ok
-- source: CANCEL LOAD / CANCEL EXPORT reference: load by label pattern
CANCEL LOAD FROM example_db WHERE LABEL like "test_%";

-- case: cancel | ok
-- source: CANCEL LOAD / CANCEL EXPORT reference: load by state
CANCEL LOAD FROM example_db WHERE STATE = "loading";

-- case: cancel | ok
-- source: CANCEL LOAD / CANCEL EXPORT reference: export by label
CANCEL EXPORT FROM example_db WHERE LABEL like "%example%";

-- case: cancel | ok
-- source: CANCEL LOAD / CANCEL EXPORT reference: export by state and label
CANCEL EXPORT FROM example_db WHERE STATE = "PENDING" AND LABEL = "l1";

-- case: cancel | error 1:17 database
-- source: CANCEL LOAD with a reserved word as database
CANCEL LOAD FROM database WHERE LABEL = "l1";
