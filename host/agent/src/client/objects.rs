//! Datasets and experiments on the conversation server: the client side of
//! `/api/datasets` and `/api/experiments`, used by `trellis dataset` and
//! `trellis eval`. Names travel as percent-encoded path segments, so
//! "Diabetes Cases" is a valid dataset name.

use trellis_api::objects::{
    DatasetDetail, DatasetList, DeletedDataset, ExperimentList, ExperimentSummary,
    InsertRowsRequest, InsertRowsResponse, InsertSpansRequest, InsertSpansResponse, NewExperiment,
};
use trellis_trace::SpanRecord;

use super::{ChatClient, ClientError};

impl ChatClient {
    /// The URL of `segments` below the server's base URL, each segment
    /// percent-encoded.
    fn object_url(&self, segments: &[&str]) -> Result<reqwest::Url, ClientError> {
        let invalid = || ClientError::InvalidUrl {
            url: self.base_url.clone(),
        };
        let mut url = reqwest::Url::parse(&self.base_url).map_err(|_| invalid())?;
        url.path_segments_mut()
            .map_err(|_| invalid())?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// `GET /api/datasets`: every dataset, by name.
    pub async fn datasets(&self) -> Result<DatasetList, ClientError> {
        let url = self.object_url(&["api", "datasets"])?;
        self.send(self.http.get(url)).await
    }

    /// `GET /api/datasets/{name}`: a dataset and its rows, oldest first. An
    /// unknown name is [`ClientError::Api`] with status 404.
    pub async fn dataset(&self, name: &str) -> Result<DatasetDetail, ClientError> {
        let url = self.object_url(&["api", "datasets", name])?;
        self.send(self.http.get(url)).await
    }

    /// `POST /api/datasets/{name}/rows`: adds rows (creating the dataset);
    /// rows whose id is already there are counted as duplicates and left
    /// unchanged.
    pub async fn insert_dataset_rows(
        &self,
        name: &str,
        request: &InsertRowsRequest,
    ) -> Result<InsertRowsResponse, ClientError> {
        let url = self.object_url(&["api", "datasets", name, "rows"])?;
        self.send(self.http.post(url).json(request)).await
    }

    /// `DELETE /api/datasets/{name}`: removes a dataset and its rows.
    pub async fn delete_dataset(&self, name: &str) -> Result<DeletedDataset, ClientError> {
        let url = self.object_url(&["api", "datasets", name])?;
        self.send(self.http.delete(url)).await
    }

    /// `GET /api/experiments`: every experiment, newest first.
    pub async fn experiments(&self) -> Result<ExperimentList, ClientError> {
        let url = self.object_url(&["api", "experiments"])?;
        self.send(self.http.get(url)).await
    }

    /// `GET /api/experiments/{name}`; 404 when there is none.
    pub async fn experiment(&self, name: &str) -> Result<ExperimentSummary, ClientError> {
        let url = self.object_url(&["api", "experiments", name])?;
        self.send(self.http.get(url)).await
    }

    /// `POST /api/experiments`: registers an experiment; a name in use is
    /// [`ClientError::Api`] with status 409.
    pub async fn create_experiment(
        &self,
        experiment: &NewExperiment,
    ) -> Result<ExperimentSummary, ClientError> {
        let url = self.object_url(&["api", "experiments"])?;
        self.send(self.http.post(url).json(experiment)).await
    }

    /// `POST /api/experiments/{name}/spans`: stores an experiment's spans.
    pub async fn insert_experiment_spans(
        &self,
        name: &str,
        spans: &[SpanRecord],
    ) -> Result<InsertSpansResponse, ClientError> {
        let url = self.object_url(&["api", "experiments", name, "spans"])?;
        let spans = spans
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| ClientError::UnexpectedResponse {
                url: self.base_url.clone(),
                status: 0,
                detail: format!("cannot encode a span: {error}"),
            })?;
        self.send(self.http.post(url).json(&InsertSpansRequest { spans }))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_encoded_path_segments_below_the_base_url() {
        let client = ChatClient::new("http://127.0.0.1:8001/prefix/").unwrap();
        let url = client
            .object_url(&["api", "datasets", "Diabetes Cases/2", "rows"])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8001/prefix/api/datasets/Diabetes%20Cases%2F2/rows"
        );
    }
}
