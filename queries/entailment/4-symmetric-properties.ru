# Rule: prp-symp (OWL 2 RL) - a symmetric property holds in both directions.
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { ?object ?property ?subject }
WHERE { ?property a owl:SymmetricProperty . ?subject ?property ?object . FILTER (isIRI(?object) || isBlank(?object)) }
